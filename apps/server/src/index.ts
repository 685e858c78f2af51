export { type AdminCommandName, adminCommands, isAdminCommandName } from './admin/commands.js';
export { executeAdminCommand } from './admin/execute.js';
export { resolveConfig, type ServerConfig, type ServerOptions } from './config.js';
export { type AppContext, createContext } from './context.js';
export { buildHttpApp } from './http/app.js';
export { type RunningServer, startServer } from './server.js';
