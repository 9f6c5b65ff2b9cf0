// The "CourseFlow" group of the properties panel: what the engine needs
// beyond plain BPMN. Name, id, documentation (with the clause number) and
// timers come from bpmn-js-properties-panel's own BPMN groups.
import { Group, SelectEntry, TextAreaEntry, TextFieldEntry, isSelectEntryEdited, isTextAreaEntryEdited,
  isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';

import { FORM, getProperty, setProperty } from './extension';

export default function CourseFlowPropertiesProvider(propertiesPanel, config) {
  this._settings = config.courseflow;
  propertiesPanel.registerProvider(400, this);
}
CourseFlowPropertiesProvider.$inject = ['propertiesPanel', 'config'];

CourseFlowPropertiesProvider.prototype.getGroups = function(element) {
  const settings = this._settings;
  return (groups) => {
    const entries = entriesFor(element, settings);
    if (entries.length) {
      groups.splice(1, 0, { id: 'courseflow', label: settings.labels.group, component: Group, entries });
    }
    return groups;
  };
};

function entriesFor(element, settings) {
  const entries = [];
  const add = (id, component, isEdited, extra = {}) =>
    entries.push({ id, element, component, isEdited, settings, ...extra });
  if (is(element, 'bpmn:Lane')) {
    add('courseflow-role', RoleEntry, isSelectEntryEdited);
  }
  if (isAny(element, [...settings.humanTasks, 'bpmn:StartEvent'])) {
    add('courseflow-form', FormEntry, isSelectEntryEdited);
  }
  if (isAny(element, settings.humanTasks)) {
    add('courseflow-nameRu', PropertyEntry, isTextFieldEntryEdited, { property: 'nameRu' });
    add('courseflow-assignee', PropertyEntry, isTextFieldEntryEdited, { property: 'assignee' });
    add('courseflow-scope', PropertyEntry, isTextFieldEntryEdited, { property: 'scope' });
  }
  if (is(element, 'bpmn:SequenceFlow') && isConditional(element)) {
    add('courseflow-condition', ConditionEntry, isTextAreaEntryEdited);
  }
  if (is(element, 'bpmn:ScriptTask')) {
    add('courseflow-script', ScriptEntry, isTextAreaEntryEdited);
  }
  if (isAny(element, ['bpmn:Event', 'bpmn:Activity'])) {
    add('courseflow-courseStatus', PropertyEntry, isTextFieldEntryEdited, { property: 'courseStatus' });
  }
  if (is(element, 'bpmn:EndEvent')) {
    add('courseflow-continueWith', PropertyEntry, isTextFieldEntryEdited, { property: 'continueWith' });
  }
  return entries;
}

function isConditional(flow) {
  const source = flow.source && getBusinessObject(flow.source);
  return !!source && (isAny(source, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'])
    || !!getBusinessObject(flow).conditionExpression);
}

function RoleEntry({ element, id, settings }) {
  const modeling = useService('modeling');
  return <SelectEntry id={id} element={element} label={settings.labels.role}
    description={settings.labels.roleHelp}
    getValue={() => getBusinessObject(element).name || ''}
    setValue={(value) => modeling.updateProperties(element, { name: value })}
    getOptions={() => options(settings.roles, getBusinessObject(element).name)} />;
}

function FormEntry({ element, id, settings }) {
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const forms = settings.forms.map((name) => ({ value: name, label: name }));
  return <SelectEntry id={id} element={element} label={settings.labels.form}
    getValue={() => getProperty(element, FORM)}
    setValue={(value) => setProperty(element, FORM, value, bpmnFactory, commandStack)}
    getOptions={() => options(forms, getProperty(element, FORM))} />;
}

function PropertyEntry({ element, id, settings, property }) {
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const debounce = useService('debounceInput');
  return <TextFieldEntry id={id} element={element} label={settings.labels[property]}
    description={settings.labels[property + 'Help']} debounce={debounce}
    getValue={() => getProperty(element, property)}
    setValue={(value) => setProperty(element, property, (value || '').trim(), bpmnFactory, commandStack)} />;
}

function ConditionEntry({ element, id, settings }) {
  const bpmnFactory = useService('bpmnFactory');
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  const setValue = (value) => modeling.updateProperties(element, {
    conditionExpression: value ? bpmnFactory.create('bpmn:FormalExpression', { body: value }) : undefined,
  });
  return <TextAreaEntry id={id} element={element} label={settings.labels.condition}
    description={settings.labels.conditionHelp} debounce={debounce} monospace={true}
    getValue={() => (getBusinessObject(element).conditionExpression || {}).body || ''} setValue={setValue} />;
}

function ScriptEntry({ element, id, settings }) {
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  return <TextAreaEntry id={id} element={element} label={settings.labels.script}
    description={settings.labels.scriptHelp} debounce={debounce} monospace={true} rows={8}
    getValue={() => getBusinessObject(element).script || ''}
    setValue={(value) => modeling.updateProperties(element, { script: value, scriptFormat: 'python' })} />;
}

// The choices, plus the current value if it is not among them (shown, not lost).
function options(choices, current) {
  const list = [{ value: '', label: '—' }, ...choices];
  if (current && !choices.some((choice) => choice.value === current)) {
    list.push({ value: current, label: `${current} (?)` });
  }
  return list;
}
