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
import fakeJoin from 'bpmnlint/rules/fake-join';
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
  'fake-join': fakeJoin,
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

function courseflowRules(settings) {
  const roles = new Set(settings.roles.map((role) => role.value));
  const forms = new Set(settings.forms);
  const humanTasks = settings.humanTasks; // "a task people do", as the engine defines it
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
      flowElements(process).filter((el) => isAny(el, humanTasks) && !placed.has(el.id)).forEach((task) =>
        reporter.report(task.id, 'A task people do must lie in a lane: the lane says which role does it'));
    }),
    'user-task-form': perProcess((process, reporter) => {
      flowElements(process).filter((el) => isAny(el, humanTasks)).forEach((task) => {
        const form = propertyOf(task, 'formJsonSchemaFilename');
        if (!form) {
          reporter.report(task.id, 'A task people do needs a form: choose one in the CourseFlow group');
        } else if (!forms.has(form)) {
          reporter.report(task.id, `The form ${form} is not in the form library`);
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
