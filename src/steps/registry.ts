// Every step type, registered statically. Step modules import no heavy dependency at load time:
// transports and clients arrive through the StepContext.

import type { StepType } from './types.js';
import { assertStep } from './builtin/assert.js';
import { failStep } from './builtin/fail.js';
import { flushHandlersStep } from './builtin/flush-handlers.js';
import { localStep } from './builtin/local.js';
import { logStep } from './builtin/log.js';
import { pauseStep } from './builtin/pause.js';
import { confirmStep } from './builtin/confirm.js';
import { setStep } from './builtin/set.js';
import { shellStep } from './remote/shell.js';
import { copyStep } from './remote/copy.js';
import { templateStep } from './remote/template.js';
import { serviceStep } from './remote/service.js';
import { waitForStep } from './remote/wait-for.js';
import { followStep } from './remote/follow.js';
import { httpStep } from './http.js';
import { cloudstackStep } from './cloudstack/api-call.js';
import { settingStep } from './cloudstack/setting.js';
import { waitStep } from './cloudstack/wait.js';
import { factsStep } from './cloudstack/facts.js';
import { systemVmsStep } from './cloudstack/systemvms.js';
import { routersStep } from './cloudstack/routers.js';
import { selectionStep } from './cloudstack/selection-step.js';
import { vmServicesStep } from './cloudstack/vm-services.js';
import { restartStep } from './cloudstack/restart.js';
import { integrationPortStep } from './cloudstack/integration-port.js';
import { sysvmadmStep } from './cloudstack/sysvmadm-step.js';
import { sysvmadmCheckStep } from './cloudstack/sysvmadm-check.js';
import { upgradeProofStep } from './cloudstack/proof.js';
import { upgradeReadinessStep } from './cloudstack/readiness.js';
import { managementRestartStep } from './cloudstack/management-restart.js';

const ALL: readonly StepType[] = [
  assertStep, setStep, logStep, failStep, pauseStep, confirmStep, localStep, flushHandlersStep, shellStep,
  copyStep, templateStep, serviceStep, waitForStep, followStep,
  httpStep, cloudstackStep, settingStep, waitStep, factsStep, systemVmsStep, routersStep, selectionStep,
  vmServicesStep, restartStep, integrationPortStep, sysvmadmStep, sysvmadmCheckStep, upgradeReadinessStep, upgradeProofStep, managementRestartStep,
];

export const stepRegistry: ReadonlyMap<string, StepType> = new Map(ALL.map((s) => [s.name, s]));
