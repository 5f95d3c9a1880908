export type {
  ContractAnswer,
  ContractCall,
  ContractHarness,
  ContractResult,
  ContractUsage,
} from './contract-harness'
export type { AdapterContractOptions } from './describe-adapter-contract'
export { defaultPolicyUnits, describeAdapterContract } from './describe-adapter-contract'
