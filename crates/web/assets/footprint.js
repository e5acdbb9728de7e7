// Starts the NHS.UK frontend's components. Every page works without it.
import { initAll } from '/assets/nhsuk/nhsuk-frontend.min.js';

initAll();
