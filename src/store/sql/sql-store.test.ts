import { storeContract } from './contract/store-contract.js';
import { testDatabaseFactories } from './test-databases.js';

for (const factory of testDatabaseFactories()) storeContract(factory);
