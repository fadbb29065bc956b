import { storeContract } from './contract/store-contract.js';
import { testDatabaseFactories } from './test-databases.js';

for (const factory of testDatabaseFactories()) storeContract(factory);

import { resourceStoreContract } from './contract/resource-store-contract.js';
for (const factory of testDatabaseFactories()) resourceStoreContract(factory);
