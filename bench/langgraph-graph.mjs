// LangGraph.js's side of the workload, shared by langgraph-workload.mjs (SqliteSaver) and
// langgraph-postgres-workload.mjs (PostgresSaver): the state, the four nodes with the
// zero-latency model, the optional interrupt, and the anchor's final-state check.

import { StateGraph, Annotation, START, END, interrupt } from "@langchain/langgraph";
import { z } from "zod";
import { FIXED_JSON, STEPS, checkOutputs, makeSchemas, r2 } from "./workload.mjs";

// LangGraph's side validates with the zod it is installed with (4.6.7, as baton's).
export const schemas = makeSchemas(z);

/** The zero-latency model: a fresh object from the fixed JSON text, no network, no delay. */
async function model(step /* , state */) {
  return JSON.parse(FIXED_JSON[step]);
}

// A channel may not share a node's name, so step `x` writes its output to `xResult`.
const resultKey = (step) => `${step}Result`;
const State = Annotation.Root({
  input: Annotation(),
  extractResult: Annotation(),
  architectureResult: Annotation(),
  costsResult: Annotation(),
  summaryResult: Annotation(),
  approval: Annotation(),
});

/** The 4-step graph; with `gate`, step 2 opens with an interrupt (approval before its model call). */
export function compileGraph({ gate, checkpointer }) {
  const node = (step) => async (state) => {
    const update = {};
    if (gate && step === "architecture") {
      // On resume LangGraph runs this node again from its top, and interrupt() returns the
      // resume value; the model is still called once per chain because the gate comes first.
      const decision = interrupt({ question: "approve architecture step?", company: state.extractResult.company });
      if (decision?.approved !== true) throw new Error("not approved");
      update.approval = decision;
    }
    update[resultKey(step)] = schemas[step].parse(await model(step, state));
    return update;
  };
  let graph = new StateGraph(State);
  for (const step of STEPS) graph = graph.addNode(step, node(step));
  graph = graph.addEdge(START, STEPS[0]);
  for (let index = 1; index < STEPS.length; index += 1) graph = graph.addEdge(STEPS[index - 1], STEPS[index]);
  return graph.addEdge(STEPS.at(-1), END).compile({ checkpointer });
}

/** The anchor's checkFinal on LangGraph's final state. */
export function checkFinalState(state, i, gated) {
  const outputs = state && Object.fromEntries(STEPS.map((step) => [step, state[resultKey(step)]]));
  checkOutputs(state?.input, outputs, i);
  if (gated && state.approval?.approved !== true) throw new Error(`chain ${i}: approval missing`);
}

/** Counts the checkpointer's calls per method into `calls` (warm-up only; the timed runs are not wrapped). */
export function countCheckpointerCalls(saver, calls) {
  for (const method of ["getTuple", "put", "putWrites"]) {
    const original = saver[method].bind(saver);
    calls[method] = 0;
    saver[method] = (...parameters) => {
      calls[method] += 1;
      return original(...parameters);
    };
  }
}

export const perChain = (calls, n) => Object.fromEntries(Object.entries(calls).map(([method, count]) => [method, r2(count / n)]));
