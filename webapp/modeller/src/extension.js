// Reading and writing the spiffworkflow:properties of an element, exactly as
// the engine reads them (engine/bpmn.py): one <spiffworkflow:properties> in
// bpmn:extensionElements holding <spiffworkflow:property name=".." value=".."/>.
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

export const FORM = 'formJsonSchemaFilename';

function propertiesElement(businessObject) {
  const extensions = businessObject.get('extensionElements');
  if (!extensions) {
    return null;
  }
  return extensions.get('values').find((value) => is(value, 'spiffworkflow:Properties')) || null;
}

export function getProperty(element, name) {
  const properties = propertiesElement(getBusinessObject(element));
  const found = properties && properties.get('values').find((property) => property.name === name);
  return found ? found.value || '' : '';
}

// One undoable command that creates the containers as needed, then sets,
// adds or (for an empty value) removes the property.
export function setProperty(element, name, value, bpmnFactory, commandStack) {
  const businessObject = getBusinessObject(element);
  const commands = [];
  const update = (moddleElement, properties) =>
    commands.push({ cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } });

  let extensions = businessObject.get('extensionElements');
  if (!extensions) {
    if (!value) {
      return;
    }
    extensions = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensions.$parent = businessObject;
    update(businessObject, { extensionElements: extensions });
  }
  let properties = propertiesElement(businessObject);
  if (!properties) {
    if (!value) {
      return;
    }
    properties = bpmnFactory.create('spiffworkflow:Properties', { values: [] });
    properties.$parent = extensions;
    update(extensions, { values: [...extensions.get('values'), properties] });
  }
  const values = properties.get('values');
  const existing = values.find((property) => property.name === name);
  if (existing && value) {
    update(existing, { value });
  } else if (existing) {
    update(properties, { values: values.filter((property) => property !== existing) });
  } else if (value) {
    const property = bpmnFactory.create('spiffworkflow:Property', { name, value });
    property.$parent = properties;
    update(properties, { values: [...values, property] });
  }
  if (commands.length) {
    commandStack.execute('properties-panel.multi-command-executor', commands);
  }
}
