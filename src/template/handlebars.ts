// The one place Handlebars is loaded. Its single-file build (same release, compiler included) is one
// file to read and compile instead of ~45 (lib/ plus source-map), which is ~20 ms off every start.

import { createRequire } from 'node:module';
import type HandlebarsModule from 'handlebars';

const require = createRequire(import.meta.url);

const Handlebars = require('handlebars/dist/handlebars.js') as typeof HandlebarsModule;
export default Handlebars;
