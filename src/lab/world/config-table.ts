// The lab's `configuration` table: the settings the upgrade playbooks read or change, with the fields
// listConfigurations reports (ConfigurationResponse, ApiResponseHelper.createConfigurationResponse). Only DB values live here; what the running
// management server actually uses (e.g. the integration port) is copied at "start" by the lifecycle.

export type ConfigType = 'Number' | 'Boolean' | 'String';
export type ConfigScope = 'Global' | 'Zone';

export interface ConfigDef {
  readonly name: string;
  readonly category: string;
  readonly group: string;
  readonly subgroup: string;
  readonly defaultValue: string;
  readonly description: string;
  readonly isDynamic: boolean;
  readonly component: string;
  readonly type: ConfigType;
  /** Java class named in type-validation errors. */
  readonly javaClass: 'java.lang.Integer' | 'java.lang.Boolean' | 'java.lang.String' | 'java.lang.Long';
  readonly scopes: readonly ConfigScope[];
}

const def = (d: Omit<ConfigDef, 'scopes'> & { scopes?: readonly ConfigScope[] }): ConfigDef => ({ scopes: ['Global'], ...d });

/**
 * Descriptions of integration.api.port, router.version.check and expose.cloudstack.version… are
 * CloudStack's own; the others are close paraphrases (the lab only needs the fields to exist).
 */
export const CONFIG_DEFS: readonly ConfigDef[] = [
  def({ name: 'integration.api.port', category: 'Advanced', group: 'Management Server', subgroup: 'API', defaultValue: '0',
    description: 'Integration (unauthenticated) API port. To disable set it to 0 or negative.', isDynamic: false,
    component: 'ApiServer', type: 'Number', javaClass: 'java.lang.Integer' }),
  def({ name: 'enforce.post.requests.and.timestamps', category: 'Advanced', group: 'Management Server', subgroup: 'API',
    defaultValue: 'false', description: 'Enforce usage of POST requests for state-changing API calls and of signature version 3 with a valid expires timestamp.',
    isDynamic: false, component: 'ApiServer', type: 'Boolean', javaClass: 'java.lang.Boolean' }),
  def({ name: 'router.version.check', category: 'Advanced', group: 'Network', subgroup: 'Virtual Router', defaultValue: 'true',
    description: 'If true, router minimum required version is checked before sending command', isDynamic: false,
    component: 'VirtualNetworkApplianceManager', type: 'Boolean', javaClass: 'java.lang.Boolean' }),
  def({ name: 'minreq.sysvmtemplate.version', category: 'Advanced', group: 'Network', subgroup: 'Virtual Router', defaultValue: '4.10.0',
    description: 'Minimum required system VM template version for virtual routers', isDynamic: true,
    component: 'NetworkOrchestrationService', type: 'String', javaClass: 'java.lang.String', scopes: ['Global', 'Zone'] }),
  def({ name: 'expose.cloudstack.version.api.list.capabilities', category: 'Advanced', group: 'Management Server', subgroup: 'API',
    defaultValue: 'true', description: 'Indicates whether ACS version should show in the listCapabilities API.', isDynamic: true,
    component: 'ManagementServer', type: 'Boolean', javaClass: 'java.lang.Boolean' }),
  // RootCAProvider: true on a fresh install; sites upgraded from before 4.11 keep false (adminguide/hosts.rst)
  def({ name: 'ca.plugin.root.auth.strictness', category: 'Advanced', group: 'Miscellaneous', subgroup: 'Others', defaultValue: 'true',
    description: 'Setting to enforce two-way SSL authentication and trust validation.', isDynamic: true,
    component: 'RootCAProvider', type: 'Boolean', javaClass: 'java.lang.Boolean' }),
  def({ name: 'router.health.checks.enabled', category: 'Advanced', group: 'Network', subgroup: 'Virtual Router', defaultValue: 'true',
    description: 'If true, router health checks are allowed to be executed and read. If false, all scheduled checks and API calls for on demand checks are disabled.',
    isDynamic: true, component: 'VirtualNetworkApplianceManager', type: 'Boolean', javaClass: 'java.lang.Boolean' }),
  def({ name: 'api.sessionkey.check.locations', category: 'Advanced', group: 'Management Server', subgroup: 'API',
    defaultValue: 'CookieAndParameter', description: 'Where the session key must be present on API requests: CookieAndParameter, ParameterOnly or CookieOrParameter.',
    isDynamic: true, component: 'ApiServer', type: 'String', javaClass: 'java.lang.String' }),
  def({ name: 'api.sessionkey.cookie.samesite', category: 'Advanced', group: 'Management Server', subgroup: 'API', defaultValue: 'Lax',
    description: 'The SameSite attribute of the sessionkey cookie.', isDynamic: true, component: 'ApiServer', type: 'String', javaClass: 'java.lang.String' }),
  def({ name: 'json.content.type', category: 'Advanced', group: 'Management Server', subgroup: 'API', defaultValue: 'application/json; charset=UTF-8',
    description: 'Http response content type for .js files (default is text/javascript)', isDynamic: false, component: 'ApiServer',
    type: 'String', javaClass: 'java.lang.String' }),
  def({ name: 'enable.secure.session.cookie', category: 'Advanced', group: 'Management Server', subgroup: 'API', defaultValue: 'false',
    description: 'Session cookie is marked as secure if this is enabled. Secure cookies only work when HTTPS is used.', isDynamic: false,
    component: 'ApiServer', type: 'Boolean', javaClass: 'java.lang.Boolean' }),
  def({ name: 'default.page.size', category: 'Advanced', group: 'Management Server', subgroup: 'API', defaultValue: '500',
    description: 'Default page size for API list* commands', isDynamic: false, component: 'management-server', type: 'Number', javaClass: 'java.lang.Long' }),
  def({ name: 'job.expire.minutes', category: 'Advanced', group: 'Management Server', subgroup: 'Jobs', defaultValue: '1440',
    description: 'Time (in minutes) for async-jobs to be kept in system', isDynamic: true, component: 'AsyncJobManager', type: 'Number', javaClass: 'java.lang.Long' }),
  def({ name: 'job.cancel.threshold.minutes', category: 'Advanced', group: 'Management Server', subgroup: 'Jobs', defaultValue: '60',
    description: 'Time (in minutes) for async-jobs to be forcely cancelled if it has been in process for long', isDynamic: true,
    component: 'AsyncJobManager', type: 'Number', javaClass: 'java.lang.Long' }),
  def({ name: 'router.template.kvm', category: 'Advanced', group: 'Network', subgroup: 'Virtual Router', defaultValue: 'SystemVM Template (KVM)',
    description: 'Name of the default router template on KVM.', isDynamic: true, component: 'VirtualNetworkApplianceManager', type: 'String',
    javaClass: 'java.lang.String', scopes: ['Global', 'Zone'] }),
  // ManagementServerMaintenanceManager.java at 4.21.0.0 (the lab lists it in every version)
  def({ name: 'management.server.maintenance.timeout', category: 'Advanced', group: 'Management Server', subgroup: 'Others', defaultValue: '60',
    description: 'Timeout (in mins) for the maintenance window for the management server, default: 60 mins.', isDynamic: true,
    component: 'ManagementServerMaintenanceManager', type: 'Number', javaClass: 'java.lang.Integer' }),
  def({ name: 'security.singlesignon.key', category: 'Hidden', group: 'Miscellaneous', subgroup: 'Others', defaultValue: '',
    description: 'A Single Sign-On key used for logging into the cloud', isDynamic: false, component: 'management-server', type: 'String',
    javaClass: 'java.lang.String' }),
];

export const CONFIG_BY_NAME: ReadonlyMap<string, ConfigDef> = new Map(CONFIG_DEFS.map((d) => [d.name, d]));

/** `displaytext`: the name with dots as spaces and the first letter capitalised. */
export function configDisplayText(name: string): string {
  const s = name.replace(/\./g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Stored values: global DB values plus zone-scoped overrides (cloud.configuration / data_center_details). */
export class ConfigStore {
  private readonly global = new Map<string, string | null>();
  private readonly zone = new Map<string, Map<string, string | null>>();

  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const d of CONFIG_DEFS) this.global.set(d.name, d.defaultValue);
    for (const [k, v] of Object.entries(initial)) if (CONFIG_BY_NAME.has(k)) this.global.set(k, v);
  }

  /** Global DB value (null when set to null). */
  get(name: string): string | null {
    return this.global.get(name) ?? null;
  }

  /** Value in effect for a zone: the zone override when present, else global. */
  getForZone(name: string, zoneId: string): string | null {
    const z = this.zone.get(zoneId);
    if (z?.has(name)) return z.get(name) ?? null;
    return this.get(name);
  }

  set(name: string, value: string | null): void {
    this.global.set(name, value);
  }

  setForZone(name: string, zoneId: string, value: string | null): void {
    let z = this.zone.get(zoneId);
    if (!z) this.zone.set(zoneId, (z = new Map()));
    z.set(name, value);
  }

  getBoolean(name: string): boolean {
    return (this.get(name) ?? '').toLowerCase() === 'true';
  }

  getNumber(name: string): number {
    const v = Number.parseInt(this.get(name) ?? '', 10);
    return Number.isFinite(v) ? v : 0;
  }

  snapshot(): Record<string, string | null> {
    return Object.fromEntries(this.global);
  }
}
