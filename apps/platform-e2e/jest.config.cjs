module.exports = require('../../jest.preset.cjs').projectConfig(__dirname, 'platform-e2e');
