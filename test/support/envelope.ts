/** What a function answers, as tests read it: the contract's envelope (miniprogram/contract). */
export type { Envelope } from '../../miniprogram/contract';
