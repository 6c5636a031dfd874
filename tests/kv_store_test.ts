import { storeContract } from "./store_contract.ts";
import { KV_BACKEND } from "./helpers/backends.ts";

storeContract(KV_BACKEND);
