import { versionJourney } from './version-journey.js';

versionJourney(15);
