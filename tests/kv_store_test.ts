import { storeContract } from "./store_contract.ts";
import { BACKENDS } from "./helpers/backends.ts";

storeContract(BACKENDS.find((backend) => backend.name === "kv")!);
