import "server-only";

export {
  generateKeyEntry,
  KEY_BYTES,
  KEY_FILE_NAME,
  type Keyring,
  KeyringError,
  type LoadKeyringOptions,
  loadKeyring,
  parseKeyring,
} from "./keyring";
export { type SealedColumn, sealBindingFor, sealedColumns } from "./registry";
export {
  type CompactionOptions,
  type CompactionResult,
  compactSealedTables,
  type RotationOptions,
  type RotationResult,
  rotateSealedColumns,
} from "./rotate";
export {
  open,
  type SealBinding,
  SealError,
  type SealErrorReason,
  seal,
  sealedKeyVersion,
  sealedPrefix,
} from "./seal";
