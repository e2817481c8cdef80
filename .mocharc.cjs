// Mocha's settings. No spec here: mocha adds a configured spec to the files given on its command line,
// so `scripts/test.js` (what `npm test` runs) passes either the files asked for or every compiled test.
'use strict';
module.exports = { timeout: 20000, reporter: 'spec', exit: true };
