// Start every GOV.UK Frontend component on the page.
import { initAll } from '/assets/govuk-frontend.min.js';

initAll();
