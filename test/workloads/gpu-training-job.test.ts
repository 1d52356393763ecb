import { GpuTrainingJob } from '../../src/workloads/gpu-training-job.js';
import { findNulls, manifestsOf } from '../../src/render/synthesize.js';
import { tenantApp, mainContainer } from './helpers.js';

const image = 'ghcr.io/example/finetune:1.4.0';

function rendered(app: any, job: GpuTrainingJob): Record<string, any> {
  return Object.fromEntries(manifestsOf(app, job).map((m) => [`${m.kind}/${m.metadata.name}`, m]));
}

test('a one-off training Job: GPUs, backoff, deadline, TTL, checkpoint claim, shm, toleration and priority', () => {
  const { app, tenant } = tenantApp();
  const job = new GpuTrainingJob(tenant, 'finetune', {
    image, args: ['--epochs', '3'], gpuProduct: 'NVIDIA-A10', priorityClassName: 'batch-preemptible',
    secretEnv: [{ name: 'HF_TOKEN', secretName: 'hf', key: 'token' }],
  });
  const objects = rendered(app, job);
  expect(Object.keys(objects).sort()).toEqual(['Job/finetune', 'PersistentVolumeClaim/finetune-checkpoints']);
  for (const m of Object.values(objects)) expect(findNulls(m)).toEqual([]);
  const spec = objects['Job/finetune'].spec;
  expect(spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 86400, ttlSecondsAfterFinished: 86400, parallelism: 1, completions: 1 });
  const pod = spec.template.spec;
  expect(pod.restartPolicy).toBe('Never');
  expect(spec.podFailurePolicy).toEqual({ rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] });
  expect(pod.priorityClassName).toBe('batch-preemptible');
  expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A10' });
  expect(pod.topologySpreadConstraints).toBeUndefined();
  expect(pod.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '4Gi' } });
  expect(pod.volumes).toContainEqual({ name: 'checkpoints', persistentVolumeClaim: { claimName: 'finetune-checkpoints' } });
  const c = mainContainer(objects['Job/finetune']);
  expect(c.resources.requests['nvidia.com/gpu']).toBe('1');
  expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
  expect(c.ports).toBeUndefined();
  expect(c.readinessProbe).toBeUndefined();
  expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  expect(c.volumeMounts).toContainEqual({ name: 'checkpoints', mountPath: '/checkpoints' });
  expect(c.env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } });
  expect(c.env).toContainEqual({ name: 'HOME', value: '/home/app' });
  const claim = objects['PersistentVolumeClaim/finetune-checkpoints'];
  expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Gi' } } });
  expect(claim.metadata.namespace).toBe('ml');
  expect(job.maxPods).toBe(1);
  expect(job.maxGpus).toBe(1);
});

test('a nightly fine-tune renders a CronJob that never overlaps runs', () => {
  const { app, tenant } = tenantApp();
  const job = new GpuTrainingJob(tenant, 'nightly', {
    image, gpus: 2, instanceType: 'gpu_2x_a100', restartPolicy: 'Never', parallelism: 2,
    checkpoint: { size: '500Gi', storageClassName: 'lambda-fs', accessMode: 'ReadWriteMany' },
    schedule: { cron: '0 2 * * *', timeZone: 'America/Los_Angeles' },
  });
  const cron = rendered(app, job)['CronJob/nightly'];
  expect(cron.spec).toMatchObject({
    schedule: '0 2 * * *', timeZone: 'America/Los_Angeles', concurrencyPolicy: 'Forbid',
    startingDeadlineSeconds: 600, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3,
  });
  expect(cron.spec.jobTemplate.spec).toMatchObject({ parallelism: 2, completions: 2, backoffLimit: 3 });
  expect(cron.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
  expect(cron.spec.jobTemplate.spec.template.spec.nodeSelector).toEqual({ 'node.kubernetes.io/instance-type': 'gpu_2x_a100' });
  const c = mainContainer(cron);
  expect(c.resources.limits['nvidia.com/gpu']).toBe('2');
  expect(c.resources.limits.memory).toBe('48Gi');
  expect(job.kind).toBe('CronJob');
  expect(job.maxPods).toBe(2);
  expect(job.maxGpus).toBe(4);
  expect(rendered(app, job)['PersistentVolumeClaim/nightly-checkpoints'].spec.accessModes).toEqual(['ReadWriteMany']);
});

test('invalid training props are named with the allowed values', () => {
  const { tenant } = tenantApp();
  expect(() => new GpuTrainingJob(tenant, 'a', { image, restartPolicy: 'Always' as any }))
    .toThrow(/ml\/a: invalid 'restartPolicy' \("Always"\): must be 'OnFailure' or 'Never'/);
  expect(() => new GpuTrainingJob(tenant, 'b', { image, parallelism: 2 }))
    .toThrow(/ml\/b: invalid 'checkpoint.accessMode' \("ReadWriteOnce"\): must be 'ReadWriteMany' when parallelism is 2/);
  expect(() => new GpuTrainingJob(tenant, 'c', { image, schedule: { cron: 'every night' } })).toThrow(/ml\/c: invalid 'schedule.cron'/);
  expect(() => new GpuTrainingJob(tenant, 'd', { image, schedule: { cron: 'TZ=UTC 0 2 * * *' } })).toThrow(/invalid 'schedule.cron'/);
  expect(() => new GpuTrainingJob(tenant, 'e', { image, activeDeadlineSeconds: 0 })).toThrow(/ml\/e: invalid 'activeDeadlineSeconds' \(0\): must be a whole number from 1/);
  expect(() => new GpuTrainingJob(tenant, 'f', { image, backoffLimit: -1 })).toThrow(/invalid 'backoffLimit'/);
  expect(() => new GpuTrainingJob(tenant, 'g', { image: 'trainer:latest' })).toThrow(/ml\/g: invalid 'image'/);
  expect(() => new GpuTrainingJob(tenant, 'h', { image, gpus: 9 })).toThrow(/invalid 'gpus' \(9\)/);
  expect(() => new GpuTrainingJob(tenant, 'i', { image, shmSize: '64Gi' })).toThrow(/ml\/i: invalid 'shmSize'/);
  expect(() => new GpuTrainingJob(tenant, 'x'.repeat(53), { image })).toThrow(/invalid 'name'.*at most 52 characters/);
  expect(() => new GpuTrainingJob(tenant, 'j', { image, instanceType: 'gpu_1x_a10', gpus: 2 })).toThrow(/must be at most 1/);
  expect(() => new GpuTrainingJob(tenant, 'k', { image, schedule: { cron: '@daily', timeZone: 'not a zone' } })).toThrow(/invalid 'schedule.timeZone'/);
  expect(() => new GpuTrainingJob(tenant, 'l', { image, schedule: { cron: '@daily' } })).not.toThrow();
});
