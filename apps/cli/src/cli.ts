#!/usr/bin/env node
console.log('edge');
