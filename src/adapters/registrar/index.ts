/**
 * The university's registrar system (学務システム), as this service sees it: a student's
 * record, read to check eligibility and to preview a certificate, and the issuance of a
 * certificate, which the registrar records in its own ledger (証明書発行台帳) and answers
 * with the data to print.
 */
import type {
  CertificateType,
  RegistrarIssuance,
  RegistrarRecord,
} from '../../domain/registrar'

export type RegistrarFailure =
  /** The nightly maintenance window; `until` is when it says it opens again, if it said. */
  | { ok: false; error: 'maintenance'; until: number | null }
  /** No answer, a timeout or a server error: worth trying again later. */
  | { ok: false; error: 'unavailable'; detail: string }
  /** The registrar has no such student. */
  | { ok: false; error: 'unknownStudent'; detail: string }
  /** It will not issue this certificate to this student (a hold, the status …): final. */
  | { ok: false; error: 'notEligible'; reason: string; detail: string }
  /** Our side is wrong (no key, a refused key, a request it calls malformed): staff must look. */
  | { ok: false; error: 'misconfigured'; detail: string }

export type RegistrarResult<T> = ({ ok: true } & T) | RegistrarFailure

export interface IssueRequest {
  certificate: CertificateType
  language: 'ja' | 'en'
  copies: number
}

export interface Registrar {
  /** The student's record as it is now. */
  record(userId: string): Promise<RegistrarResult<{ record: RegistrarRecord }>>
  /**
   * Records the issuance in the registrar's ledger and returns the data to print. The key
   * makes a retry after a lost answer the same issuance (the registrar answers from its
   * ledger); the same key with a different request is refused.
   */
  issue(
    userId: string,
    request: IssueRequest,
    idempotencyKey: string,
  ): Promise<RegistrarResult<{ issuance: RegistrarIssuance }>>
  /** Whether the registrar answers with this key (the operator's connection check). */
  ping(): Promise<RegistrarResult<{ at: number }>>
}
