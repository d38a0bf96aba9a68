/**
 * The one door between indexing and secret detection: chunk text is masked before it is chunked,
 * tokenised into the keyword index or embedded, so a credential in code never sits in a store file
 * (nor goes to a remote embedder). Line breaks are kept, so chunk line numbers stay true.
 */
export { maskSecrets } from '../egress/redact';
