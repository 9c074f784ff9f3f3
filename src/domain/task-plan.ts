/**
 * The task plan's dependency rules: a task waits for the tasks it depends on to be done,
 * dependencies must exist and must never form a cycle.
 */
import type { Task } from './schemas';

/** Tasks a task still waits for (its dependencies that are not done). */
export function blockingDependencies(tasks: readonly Task[], task: Pick<Task, 'dependsOn'>): string[] {
  return task.dependsOn.filter((id) => tasks.find((candidate) => candidate.taskId === id)?.status !== 'done');
}

/** Why `dependsOn` cannot be the dependency list of `taskId`, or undefined when it can. */
export function dependencyProblem(tasks: readonly Task[], taskId: string, dependsOn: readonly string[]): string | undefined {
  const byId = new Map(tasks.map((task) => [task.taskId, task]));
  for (const id of dependsOn) {
    if (id === taskId) return `task ${taskId} cannot depend on itself`;
    const dependency = byId.get(id);
    if (!dependency) return `unknown task ${id}`;
    if (dependency.status === 'cancelled') return `task ${id} is cancelled and would never be done`;
  }
  // Adding edges taskId -> dependsOn closes a cycle when taskId is reachable from one of them.
  const stack = [...dependsOn];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === taskId) return `depending on ${dependsOn.join(', ')} would make a cycle back to task ${taskId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.dependsOn ?? []));
  }
  return undefined;
}

export function isOpenTask(task: Task): boolean {
  return task.status !== 'done' && task.status !== 'cancelled';
}
