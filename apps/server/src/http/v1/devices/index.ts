import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { registerGetDevice } from './get-device.js';
import { registerListDevices } from './list-devices.js';
import { registerRevokeDevice } from './revoke-device.js';

export function registerDeviceRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerListDevices(app, ctx);
  registerGetDevice(app, ctx);
  registerRevokeDevice(app, ctx);
}
