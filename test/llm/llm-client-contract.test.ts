import { OpenAiLlmClient } from "../../src/llm/openai-client.js";
import { ScriptedLlmClient } from "../../src/llm/scripted-client.js";
import { startFakeOpenAiServer } from "../support/fake-openai-server.js";
import { describeLlmClientContract } from "../support/llm-client-contract.js";

describeLlmClientContract("OpenAiLlmClient against the fake server", async (value) => {
  const server = await startFakeOpenAiServer();
  server.enqueue({ kind: "json", value });
  const client = new OpenAiLlmClient({ apiKey: "test-key", baseURL: `${server.url}/v1`, maxRetries: 0 });
  return { client, close: () => server.close() };
});

describeLlmClientContract("ScriptedLlmClient", async (value, request) => {
  const client = new ScriptedLlmClient({ [request.purpose.chainId]: { [request.purpose.stepId]: value } });
  return { client, close: async () => undefined };
});
