import { NO_PRO_MODEL, fail, pass, skipped, type Verdict } from './check-result.js';
import { evidenceOf, isExchange, isRecord } from './http-probe.js';
import { chat, tokenFor, type VerifyContext } from './verify-context.js';

/** Test 5: the pro user uses a Pro model: 200 chat.completion with a non-empty assistant message. */
export async function checkProUsesProModel(ctx: VerifyContext): Promise<Verdict> {
  const model = ctx.expectations.proModel;
  if (!model) return skipped(NO_PRO_MODEL);
  const t = tokenFor(ctx, 'pro');
  if ('verdict' in t) return t.verdict;
  const expected = `200 {object: "chat.completion", model: "${model}", choices: [{message: {content: non-empty}}]}`;
  const x = await chat(ctx, t.token, model, 'Hello');
  if (!isExchange(x)) return fail('no answer', evidenceOf(x, expected, 'no answer'));
  const b = isRecord(x.json) ? x.json : {};
  const first = Array.isArray(b.choices) && isRecord(b.choices[0]) ? b.choices[0] : {};
  const content = isRecord(first.message) ? first.message.content : undefined;
  const wrong: string[] = [];
  if (x.status !== 200) wrong.push(`status ${x.status}`);
  if (b.object !== 'chat.completion') wrong.push(`object ${JSON.stringify(b.object)}`);
  if (typeof content !== 'string' || content.trim() === '') wrong.push(`message content ${JSON.stringify(content)}`);
  if (wrong.length > 0) return fail(`pro user using ${model}: ${wrong.join(', ')}`, evidenceOf(x, expected, wrong.join(', ')));
  return pass(`200 chat.completion from ${model}: "${(content as string).slice(0, 60)}"`);
}
