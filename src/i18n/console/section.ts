/**
 * One part of the console's catalogue: its Japanese and English wording side by side, the
 * English required to have exactly the Japanese keys. Each part prefixes its keys with its
 * own name, so the parts merge without clashes (index.ts).
 */
export const section = <K extends string>(s: {
  ja: Record<K, string>
  en: Record<NoInfer<K>, string>
}) => s
