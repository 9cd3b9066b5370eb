import type { ja } from './ja'

type Widen<T> = T extends string
  ? string
  : T extends readonly (readonly string[])[]
    ? readonly (readonly string[])[]
    : T extends readonly string[]
      ? readonly string[]
      : never

/** The shape every catalogue has: the Japanese one's keys, with any wording. */
export type Catalogue = { [K in keyof typeof ja]: Widen<(typeof ja)[K]> }
