import { Testing } from 'cdk8s';
import { ClusterModel } from '../../src/cluster/cluster-model.js';
import { LOCAL_PATH_CHART_REPOSITORY, LocalPathProvisioner } from '../../src/cluster/local-path-provisioner.js';
import { ManifestDirectory } from '../../src/layout/manifest-directory.js';
import { manifestsOf } from '../../src/render/synthesize.js';

const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);

function platform() {
  const app = Testing.app();
  const controllers = new ManifestDirectory(app, 'controllers', { directory: 'infrastructure/controllers' });
  const configs = new ManifestDirectory(app, 'configs', { directory: 'infrastructure/configs' });
  const fleet = new ClusterModel(configs, 'Fleet', { name: 'test' });
  fleet.addNodePool('a10', { instanceType: 'gpu_1x_a10', nodes: 2 });
  return { app, controllers, fleet };
}

describe('LocalPathProvisioner', () => {
  test('renders the pinned OCI chart; the StorageClass rendered is the cluster model one (the chart creates none)', () => {
    const { app, controllers, fleet } = platform();
    const provisioner = new LocalPathProvisioner(controllers, 'LocalPath', { clusterModel: fleet, nodePath: '/opt/local-path-provisioner' });
    fleet.addStorageClass('local-nvme', { provisioner: provisioner.provisionerName, default: true });
    const objects = manifestsOf(app);

    const repo = byKind(objects, 'HelmRepository')[0];
    expect(repo.spec).toMatchObject({ url: LOCAL_PATH_CHART_REPOSITORY, type: 'oci' });
    const hr = byKind(objects, 'HelmRelease')[0];
    expect(hr.metadata).toMatchObject({ name: 'local-path-provisioner', namespace: 'local-path-storage' });
    expect(hr.spec.chart.spec).toMatchObject({ chart: 'local-path-provisioner', version: '0.0.37', sourceRef: { kind: 'HelmRepository', name: 'local-path-provisioner' } });
    expect(hr.spec.values.storageClass).toEqual({ create: false, provisionerName: 'rancher.io/local-path' });
    expect(hr.spec.values.nodePathMap).toEqual([{ node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES', paths: ['/opt/local-path-provisioner'] }]);
    // the chart's helper image default is busybox:latest
    expect(hr.spec.values.helperImage).toEqual({ tag: '1.37.0' });

    const classes = byKind(objects, 'StorageClass');
    expect(classes).toHaveLength(1);
    expect(classes[0]).toMatchObject({
      metadata: { name: 'local-nvme', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete',
    });
    // helper pods run on the claim's node (GPU nodes too), in a namespace that admits their hostPath
    const gpu = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
    expect(hr.spec.values.tolerations).toEqual([gpu]);
    expect(hr.spec.values.configmap.helperPod.tolerations).toEqual([gpu]);
    const ns = byKind(objects, 'Namespace').find((n) => n.metadata.name === 'local-path-storage');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('a cluster model without a StorageClass of its provisioner fails synth, naming both', () => {
    const { app, controllers, fleet } = platform();
    new LocalPathProvisioner(controllers, 'LocalPath', { clusterModel: fleet, nodePath: '/data' });
    fleet.addStorageClass('network', { provisioner: 'nfs.csi.k8s.io' });
    expect(() => manifestsOf(app)).toThrow(/controllers\/LocalPath.*serves provisioner rancher\.io\/local-path, but the cluster model 'configs\/Fleet' declares no StorageClass with it/);
  });

  test('a served StorageClass that binds Immediate fails synth (node-local volumes need the first pod\'s node)', () => {
    const { app, controllers, fleet } = platform();
    new LocalPathProvisioner(controllers, 'LocalPath', { clusterModel: fleet, nodePath: '/data' });
    fleet.addStorageClass('local', { provisioner: 'rancher.io/local-path', volumeBindingMode: 'Immediate' });
    expect(() => manifestsOf(app)).toThrow(/StorageClass 'local' of the cluster model binds Immediate.*WaitForFirstConsumer/);
  });

  test('a served StorageClass marked nodeLocal: false fails synth (the planner would let its pods move)', () => {
    const { app, controllers, fleet } = platform();
    new LocalPathProvisioner(controllers, 'LocalPath', { clusterModel: fleet, nodePath: '/data' });
    fleet.addStorageClass('local', { provisioner: 'rancher.io/local-path', nodeLocal: false });
    expect(() => manifestsOf(app)).toThrow(/StorageClass 'local' of the cluster model says nodeLocal: false/);
  });

  test.each([['relative', 'data'], ['root', '/'], ['dot-dot', '/opt/../etc']])('a %s node path is refused naming the prop', (_, nodePath) => {
    const { controllers, fleet } = platform();
    expect(() => new LocalPathProvisioner(controllers, 'LocalPath', { clusterModel: fleet, nodePath })).toThrow(/controllers\/LocalPath: invalid 'nodePath'/);
  });

  test('a floating helper image tag is refused', () => {
    const { controllers, fleet } = platform();
    expect(() => new LocalPathProvisioner(controllers, 'LocalPath', { clusterModel: fleet, nodePath: '/data', helperImageTag: 'latest' })).toThrow(/invalid 'helperImageTag'/);
  });
});
