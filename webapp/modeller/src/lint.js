// Lint in the editor: bpmnlint's own rules plus CourseFlow's, which mirror
// the engine's deploy checks that can be seen on the diagram alone. The
// server's deploy checks on save stay the authority.
import labelRequired from 'bpmnlint/rules/label-required';
import noDisconnected from 'bpmnlint/rules/no-disconnected';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split';
import startEventRequired from 'bpmnlint/rules/start-event-required';
import endEventRequired from 'bpmnlint/rules/end-event-required';
import singleBlankStartEvent from 'bpmnlint/rules/single-blank-start-event';
import superfluousGateway from 'bpmnlint/rules/superfluous-gateway';
import { is, isAny } from 'bpmnlint-utils';

const BUILT_IN = {
  'label-required': labelRequired,
  'no-disconnected': noDisconnected,
  'no-duplicate-sequence-flows': noDuplicateSequenceFlows,
  'no-implicit-split': noImplicitSplit,
  'start-event-required': startEventRequired,
  'end-event-required': endEventRequired,
  'single-blank-start-event': singleBlankStartEvent,
  'superfluous-gateway': superfluousGateway,
};

function propertyOf(node, name) {
  const values = (node.extensionElements && node.extensionElements.values) || [];
  for (const container of values) {
    const found = (container.values || []).find((property) => property.name === name);
    if (found) {
      return found.value || '';
    }
  }
  return '';
}

function lanesOf(process) {
  const placed = new Map();
  const visit = (laneSet) => (laneSet ? laneSet.lanes || [] : []).forEach((lane) => {
    (lane.flowNodeRef || []).forEach((node) => placed.set(node.id, lane));
    visit(lane.childLaneSet);
  });
  (process.laneSets || []).forEach(visit);
  return placed;
}

function flowElements(container) {
  return (container.flowElements || []).flatMap((element) =>
    is(element, 'bpmn:SubProcess') ? [element, ...flowElements(element)] : [element]);
}

// The splits a token passed on its way to ``flow``: {split id: set of branches taken}. A split is a
// parallel, inclusive or complex gateway with several outgoing flows, or an activity with a non-interrupting
// boundary event (one branch through the event, the other through the activity's own outgoing flows).
function splitsBefore(flow) {
  const splits = new Map();
  const seen = new Set();
  const taken = (split, branch) => {
    if (!splits.has(split)) {
      splits.set(split, new Set());
    }
    splits.get(split).add(branch);
  };
  const walk = (element, via) => {
    const forks = isAny(element, ['bpmn:ParallelGateway', 'bpmn:InclusiveGateway', 'bpmn:ComplexGateway'])
      && (element.outgoing || []).length > 1;
    const watched = (element.$parent && element.$parent.flowElements || [])
      .some((other) => is(other, 'bpmn:BoundaryEvent') && other.attachedToRef === element && !other.cancelActivity);
    if (via && (forks || watched)) {
      taken(element.id, via);
    }
    if (seen.has(element.id)) {
      return;
    }
    seen.add(element.id);
    if (is(element, 'bpmn:BoundaryEvent') && element.attachedToRef) {
      if (!element.cancelActivity) {
        taken(element.attachedToRef.id, element.id);
      }
      walk(element.attachedToRef, null);
    }
    (element.incoming || []).forEach((flow) => flow.sourceRef && walk(flow.sourceRef, flow.id));
  };
  walk(flow.sourceRef, flow.id);
  return splits;
}

// Whether two tokens can reach ``node`` by different incoming flows at once: both come from different
// branches of one split not joined on the way.
function concurrentIncoming(node) {
  const paths = (node.incoming || []).filter((flow) => flow.sourceRef).map(splitsBefore);
  for (let i = 0; i < paths.length; i += 1) {
    for (let j = i + 1; j < paths.length; j += 1) {
      for (const [split, branches] of paths[i]) {
        const other = paths[j].get(split);
        if (other && [...branches].some((b) => !other.has(b)) && [...other].some((b) => !branches.has(b))) {
          return split;
        }
      }
    }
  }
  return null;
}

function courseflowRules(settings) {
  const roles = new Set(settings.roles.map((role) => role.value));
  const forms = new Set(settings.forms);
  // "a task people do", as the engine defines it: these exact types (a script task is a bpmn:Task too)
  const humanTasks = settings.humanTasks;
  const perProcess = (check) => () => ({
    check(node, reporter) {
      if (is(node, 'bpmn:Process')) {
        check(node, reporter);
      }
    },
  });
  return {
    'lane-role': perProcess((process, reporter) => {
      lanesOf(process).forEach((lane) => {
        if (!roles.has((lane.name || '').trim())) {
          reporter.report(lane.id, `Lane "${lane.name || ''}" is not a CourseFlow role: choose one in the CourseFlow group`);
        }
      });
    }),
    'user-task-lane': perProcess((process, reporter) => {
      const placed = lanesOf(process);
      flowElements(process).filter((el) => humanTasks.includes(el.$type) && !placed.has(el.id)).forEach((task) =>
        reporter.report(task.id, 'A task people do must lie in a lane: the lane says which role does it'));
    }),
    'user-task-form': perProcess((process, reporter) => {
      flowElements(process).filter((el) => humanTasks.includes(el.$type)).forEach((task) => {
        const form = propertyOf(task, 'formJsonSchemaFilename');
        if (!form) {
          reporter.report(task.id, 'A task people do needs a form: choose one in the CourseFlow group');
        } else if (!forms.has(form)) {
          reporter.report(task.id, `The form ${form} is not in the form library`);
        }
      });
    }),
    // bpmnlint's fake-join flags every task with several incoming flows. Such a task is an exclusive merge
    // (BPMN 13.2.1; SpiffWorkflow runs it once per arriving token), which is wrong only when two tokens can
    // arrive at once: that is what this rule flags. A task reached by exclusive paths needs no gateway.
    'fake-join': perProcess((process, reporter) => {
      flowElements(process).filter((el) => is(el, 'bpmn:Activity') && (el.incoming || []).length > 1)
        .forEach((activity) => {
          const split = concurrentIncoming(activity);
          if (split) {
            reporter.report(activity.id, `Tokens from both branches of ${split} arrive here and it runs once for each:`
              + ' join them with a parallel gateway first');
          }
        });
    }),
    'timer-expression': perProcess((process, reporter) => {
      flowElements(process).forEach((el) => (el.eventDefinitions || []).forEach((definition) => {
        if (!is(definition, 'bpmn:TimerEventDefinition')) {
          return;
        }
        const expression = definition.timeDuration || definition.timeDate || definition.timeCycle;
        const body = ((expression && expression.body) || '').trim();
        if (!body) {
          reporter.report(el.id, 'The timer has no expression');
        } else if (/^P|^\d{4}-/.test(body)) {
          reporter.report(el.id, `Timer expressions are Python: quote the ISO text, e.g. "${body}"`);
        }
      }));
    }),
  };
}

export function lintConfig(settings) {
  const ours = courseflowRules(settings);
  const rules = {};
  Object.keys(BUILT_IN).forEach((name) => { rules[name] = 'warn'; });
  rules['no-disconnected'] = 'error';
  Object.keys(ours).forEach((name) => { rules[`courseflow/${name}`] = 'error'; });
  rules['courseflow/fake-join'] = 'warn';
  return {
    config: { rules },
    resolver: {
      resolveRule(pkg, name) {
        const rule = pkg === 'bpmnlint' ? BUILT_IN[name] : pkg === 'bpmnlint-plugin-courseflow' ? ours[name] : null;
        if (!rule) {
          throw new Error(`unknown lint rule ${pkg}/${name}`);
        }
        return rule;
      },
      resolveConfig() {
        return null;
      },
    },
  };
}
