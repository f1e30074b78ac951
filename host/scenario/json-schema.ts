// The JSON Schema of scenario files, for editors: scenarios/scenario.schema.json is this, and a test keeps the
// two equal. It describes the file as written (sizes and durations as strings), not the parsed result.
// Regenerate it after changing schema.ts:
//   node --import tsx -e "import('./host/scenario/json-schema.ts').then((m) => process.stdout.write(m.scenarioJsonSchemaText()))" > scenarios/scenario.schema.json
import { z } from "zod";
import { scenarioSchema } from "./schema.js";
import { EXPECT_JSON_DEFINITIONS } from "./expect-schema.js";

/** draft-07: the version editors (VS Code, JetBrains) understand best. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: "input", target: "draft-07" }) as Record<string, unknown>;
  return { ...schema, definitions: EXPECT_JSON_DEFINITIONS };
}

/** The file's exact text: two-space indentation and a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
