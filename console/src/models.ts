/** A model as the console edits it: rows of text fields, turned into the API's definition. */

export const DISTRIBUTIONS: Record<string, string[]> = {
  normal: ['mean', 'sd'],
  lognormal: ['mean', 'sd'],
  uniform: ['min', 'max'],
  triangular: ['min', 'mode', 'max'],
  pert: ['min', 'mode', 'max'],
  discrete: ['values', 'probabilities'],
  fixed: ['value'],
};

export interface InputRow {
  name: string;
  type: string;
  params: Record<string, string>;
}

export interface OutputRow {
  name: string;
  expression: string;
}

export interface CorrelationRow {
  a: string;
  b: string;
  rho: string;
}

export interface ModelDraft {
  name: string;
  description: string;
  inputs: InputRow[];
  correlations: CorrelationRow[];
  outputs: OutputRow[];
}

export interface Fault {
  subject: string;
  kind: string;
  message: string;
}

/** A number as typed; anything else goes as typed, for the API to name as a fault. */
function number(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

function list(text: string): (number | string)[] {
  return text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map(number);
}

export function toDefinition(draft: ModelDraft): unknown {
  const definition: Record<string, unknown> = {
    inputs: draft.inputs.map((input) => {
      const distribution: Record<string, unknown> = { type: input.type };
      for (const param of DISTRIBUTIONS[input.type] ?? []) {
        const value = input.params[param] ?? '';
        distribution[param] = input.type === 'discrete' ? list(value) : number(value);
      }
      return { name: input.name.trim(), distribution };
    }),
    outputs: draft.outputs.map((o) => ({ name: o.name.trim(), expression: o.expression })),
  };
  if (draft.correlations.length > 0) {
    definition.correlations = draft.correlations.map((c) => ({ between: [c.a.trim(), c.b.trim()], rho: number(c.rho) }));
  }
  return definition;
}

interface Definition {
  inputs?: { name?: string; distribution?: Record<string, unknown> }[];
  correlations?: { between?: string[]; rho?: unknown }[];
  outputs?: { name?: string; expression?: string }[];
}

const text = (v: unknown) => (Array.isArray(v) ? v.join(', ') : v === undefined || v === null ? '' : String(v));

export function fromModel(model: { name: string; description: string | null; definition: unknown }): ModelDraft {
  const d = (model.definition ?? {}) as Definition;
  return {
    name: model.name,
    description: model.description ?? '',
    inputs: (d.inputs ?? []).map((i) => {
      const type = String(i.distribution?.type ?? 'normal');
      const params: Record<string, string> = {};
      for (const p of DISTRIBUTIONS[type] ?? []) {
        params[p] = text(i.distribution?.[p]);
      }
      return { name: i.name ?? '', type, params };
    }),
    correlations: (d.correlations ?? []).map((c) => ({ a: c.between?.[0] ?? '', b: c.between?.[1] ?? '', rho: text(c.rho) })),
    outputs: (d.outputs ?? []).map((o) => ({ name: o.name ?? '', expression: o.expression ?? '' })),
  };
}

export interface PlacedFaults {
  model: Fault[];
  inputs: Fault[][];
  outputs: Fault[][];
  correlations: Fault[][];
}

/**
 * Puts each fault the API named at the row it is about: a JSON path
 * (`inputs[1].distribution.sd`), an input's or output's name, a correlation (`a~b`);
 * what names none of them is about the model as a whole.
 */
export function placeFaults(faults: Fault[], draft: ModelDraft): PlacedFaults {
  const placed: PlacedFaults = {
    model: [],
    inputs: draft.inputs.map(() => []),
    outputs: draft.outputs.map(() => []),
    correlations: draft.correlations.map(() => []),
  };
  for (const fault of faults) {
    const path = /^(inputs|outputs|correlations)\[(\d+)\]/.exec(fault.subject);
    if (path) {
      const rows = placed[path[1] as 'inputs' | 'outputs' | 'correlations'];
      const index = Number(path[2]);
      if (index < rows.length) {
        rows[index].push(fault);
        continue;
      }
    }
    if (fault.subject.includes('~')) {
      const [a, b] = fault.subject.split('~');
      const index = draft.correlations.findIndex((c) => (c.a === a && c.b === b) || (c.a === b && c.b === a));
      if (index >= 0) {
        placed.correlations[index].push(fault);
        continue;
      }
    }
    const output = draft.outputs.findIndex((o) => o.name.trim() === fault.subject);
    if (output >= 0) {
      placed.outputs[output].push(fault);
      continue;
    }
    const input = draft.inputs.findIndex((i) => i.name.trim() === fault.subject);
    if (input >= 0) {
      placed.inputs[input].push(fault);
      continue;
    }
    placed.model.push(fault);
  }
  return placed;
}

/** The 1-based position in an expression a fault's message names, if it names one. */
export function faultPosition(fault: Fault): number | null {
  const match = /at position (\d+)/.exec(fault.message);
  return match ? Number(match[1]) : null;
}
