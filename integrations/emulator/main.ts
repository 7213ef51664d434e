// `npm run emulator`: the platform emulator on its own, for demos and manual tests.
//   EMULATOR_PORT (default 3900), EMULATOR_HOST (127.0.0.1), EMULATOR_SEED (seed of the generated
//   metrics; unset = the standard series). Point WECHAT_API_BASE at the printed URL.
import { startEmulator } from './emulator.app.js';
import { EmulatorState } from './emulator.state.js';

const port = Number(process.env.EMULATOR_PORT ?? 3900);
const emu = await startEmulator({
  port,
  host: process.env.EMULATOR_HOST ?? '127.0.0.1',
  state: new EmulatorState(process.env.EMULATOR_SEED ?? ''),
});
emu.state.addWechatApp({
  appid: 'wx_sandbox_lottery',
  secret: 'sandbox-secret-lottery',
  name: '体彩沙箱订阅号',
});
process.stdout.write(
  `Platform emulator 平台模拟器 at ${emu.url}\n  WECHAT_API_BASE=${emu.url}\n  demo AppID wx_sandbox_lottery, secret sandbox-secret-lottery\n  knobs: POST ${emu.url}/_emulator/faults, stats: GET ${emu.url}/_emulator/stats\n`,
);
const stop = () => void emu.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
