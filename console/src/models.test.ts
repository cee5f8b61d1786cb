import { faultPosition, fromModel, ModelDraft, placeFaults, toDefinition } from './models';

const draft: ModelDraft = {
  name: 'm',
  description: '',
  inputs: [
    { name: 'units', type: 'normal', params: { mean: '1000', sd: '100' } },
    { name: 'price', type: 'discrete', params: { values: '9, 10, 12', probabilities: '0.2,0.5,0.3' } },
  ],
  correlations: [{ a: 'units', b: 'price', rho: '-0.4' }],
  outputs: [{ name: 'revenue', expression: 'units * price' }],
};

describe('models', () => {
  it('turns the rows into the API definition and back', () => {
    const definition = toDefinition(draft);
    expect(definition).toEqual({
      inputs: [
        { name: 'units', distribution: { type: 'normal', mean: 1000, sd: 100 } },
        { name: 'price', distribution: { type: 'discrete', values: [9, 10, 12], probabilities: [0.2, 0.5, 0.3] } },
      ],
      correlations: [{ between: ['units', 'price'], rho: -0.4 }],
      outputs: [{ name: 'revenue', expression: 'units * price' }],
    });
    expect(fromModel({ name: 'm', description: null, definition })).toEqual({
      ...draft,
      inputs: [draft.inputs[0], { ...draft.inputs[1], params: { values: '9, 10, 12', probabilities: '0.2, 0.5, 0.3' } }],
    });
  });

  it('sends what is not a number as typed, for the API to name', () => {
    const d = toDefinition({ ...draft, inputs: [{ name: 'a', type: 'normal', params: { mean: 'ten', sd: '' } }] }) as {
      inputs: { distribution: Record<string, unknown> }[];
    };
    expect(d.inputs[0].distribution).toEqual({ type: 'normal', mean: 'ten', sd: '' });
  });

  it('places each fault at the row it names, the rest on the model', () => {
    const placed = placeFaults(
      [
        { subject: 'inputs[1].distribution.probabilities', kind: 'INVALID_DEFINITION', message: 'x' },
        { subject: 'revenue', kind: 'SYNTAX_ERROR', message: "Output 'revenue': unexpected end at position 14 of ..." },
        { subject: 'units', kind: 'BAD_PARAMETER', message: 'sd must be positive' },
        { subject: 'price~units', kind: 'BAD_CORRELATION', message: 'y' },
        { subject: 'model', kind: 'EMPTY_MODEL', message: 'z' },
        { subject: 'inputs[9]', kind: 'INVALID_DEFINITION', message: 'beyond the rows' },
      ],
      draft,
    );
    expect(placed.inputs[1].map((f) => f.message)).toEqual(['x']);
    expect(placed.inputs[0].map((f) => f.message)).toEqual(['sd must be positive']);
    expect(placed.outputs[0].map((f) => f.kind)).toEqual(['SYNTAX_ERROR']);
    expect(placed.correlations[0].map((f) => f.message)).toEqual(['y']);
    expect(placed.model.map((f) => f.message)).toEqual(['z', 'beyond the rows']);
    expect(faultPosition(placed.outputs[0][0])).toBe(14);
    expect(faultPosition(placed.model[0])).toBeNull();
  });
});
