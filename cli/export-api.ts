import { fromVerifiableCredential } from "../src/export";
import {
  SD_JWT_VC_MEDIA_TYPE,
  type SignatureCheck,
  sdJwtToBundle,
  verifyCredentialJwt,
  verifyDataIntegrity,
  verifySdJwtVc,
} from "../src/standard";
import { ApiError, type ApiErrorDetail } from "./api";
import { CliError, EXIT } from "./io";

/** The formats `credroot export` writes: the two JSON-LD documents, the VC-JOSE JWT and the SD-JWT VC. */
export type CliExportFormat = "ob3" | "vc" | "jwt" | "sd-jwt";

/** How long the service may take to sign one credential. */
const FETCH_TIMEOUT_MS = 60_000;

/** What the service sent: the JSON-LD credential, or the JWT's (SD-JWT's) text. */
export type FetchedCredential =
  { format: "ob3" | "vc"; document: object } | { format: "jwt"; jwt: string } | { format: "sd-jwt"; sdJwt: string };

function errorOf(status: number, text: string): ApiError {
  let body: { code?: unknown; message?: unknown; details?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not the service's error shape: the status says enough.
  }
  return new ApiError(
    status,
    typeof body.code === "string" ? body.code : `http-${status}`,
    typeof body.message === "string" ? body.message : text.slice(0, 200) || "no message",
    Array.isArray(body.details) ? (body.details as ApiErrorDetail[]) : [],
  );
}

/**
 * `GET /v1/credentials/{id}/credential?format=…&hide=…` of the service at `base`.
 * @throws ApiError for an error answer (404 unknown id, 409 not anchored or not valid, 503 no signing key…);
 * CliError (exit 2) when the service cannot be reached or its answer cannot be read.
 */
export async function fetchCredential(
  base: string,
  id: string,
  format: CliExportFormat,
  hide: string | undefined,
): Promise<FetchedCredential> {
  const query = new URLSearchParams({ format, ...(hide === undefined ? {} : { hide }) });
  const url = `${base.replace(/\/+$/, "")}/v1/credentials/${encodeURIComponent(id)}/credential?${query.toString()}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: `application/vc, application/vc+jwt, ${SD_JWT_VC_MEDIA_TYPE}, application/json` },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const why = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot reach the service at ${base}: ${why}`, EXIT.couldNot);
  }
  const text = await response.text();
  if (!response.ok) throw errorOf(response.status, text);
  if (format === "jwt") return { format, jwt: text.trim() };
  if (format === "sd-jwt") return { format, sdJwt: text.trim() };
  try {
    return { format, document: JSON.parse(text) as object };
  } catch {
    throw new CliError(`cannot read the service's answer: it is not JSON`, EXIT.couldNot);
  }
}

/**
 * Checks what the service sent before it is written: the signature (with the same libraries standard
 * verifiers use) and that every claim is what the embedded bundle discloses. A service answer that
 * fails either is refused, so `credroot export --api` never writes a credential that would not verify.
 * @throws CliError (exit 1) naming what failed.
 */
export async function checkFetched(fetched: FetchedCredential): Promise<SignatureCheck> {
  if (fetched.format === "sd-jwt") return checkSdJwt(fetched.sdJwt);
  const check =
    fetched.format === "jwt" ? await verifyCredentialJwt(fetched.jwt) : await verifyDataIntegrity(fetched.document);
  if (!check.verified) {
    throw new CliError(`the service's credential does not verify: ${check.errors.join("; ")}`, EXIT.refused);
  }
  try {
    fromVerifiableCredential(fetched.format === "jwt" ? fetched.jwt : fetched.document);
  } catch (error) {
    throw new CliError(`the service's credential: ${(error as Error).message}`, EXIT.refused);
  }
  return check;
}

/** {@link checkFetched} of an SD-JWT VC: its signature (`@sd-jwt/sd-jwt-vc`) and the bundle its disclosures rebuild. */
async function checkSdJwt(sdJwt: string): Promise<SignatureCheck> {
  const { verified, issuer, errors } = await verifySdJwtVc(sdJwt);
  if (!verified) throw new CliError(`the service's credential does not verify: ${errors.join("; ")}`, EXIT.refused);
  try {
    await sdJwtToBundle(sdJwt);
  } catch (error) {
    throw new CliError(`the service's credential: ${(error as Error).message}`, EXIT.refused);
  }
  return { verified, issuer, errors };
}
