/** torch.optim.lr_scheduler's namespace: `optim.lrScheduler.StepLR`, `optim.lrScheduler.OneCycleLR`, ... */
export * from './lr-scheduler.ts';
export * from './one-cycle-lr.ts';
export * from './reduce-lr-on-plateau.ts';
