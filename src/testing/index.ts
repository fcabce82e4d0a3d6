/** Test doubles for code built on shipline: a simulated clock and an in-memory deployment platform. */
export { VirtualClock } from "./virtual-clock.js";
export { FakeDeployer, type FakeFault } from "./fake-deployer.js";
