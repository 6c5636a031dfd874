/** The attachment store contract on both stores (a KV file; PostgreSQL with TEST_DATABASE_URL). */
import { attachmentStoreContract } from "./attachment_store_contract.ts";
import { KV_BACKEND, POSTGRES_BACKEND } from "./helpers/backends.ts";

attachmentStoreContract(KV_BACKEND);
attachmentStoreContract(POSTGRES_BACKEND);
