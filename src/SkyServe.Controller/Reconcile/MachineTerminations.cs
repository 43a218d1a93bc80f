using System.Collections.Concurrent;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Terminations run in the background (an agent may take seconds to drain), at most once per replica at a
/// time; each pass starts the ones not yet under way. A restart simply starts them again: terminate is idempotent.
/// </summary>
public sealed class MachineTerminations
{
    private readonly ConcurrentDictionary<long, Task> running = new();

    public bool IsRunning(long replicaRowId) => running.ContainsKey(replicaRowId);

    public void Start(long replicaRowId, Func<Task> terminate) =>
        running.GetOrAdd(replicaRowId, _ => Task.Run(async () =>
        {
            try
            {
                await terminate();
            }
            finally
            {
                running.TryRemove(replicaRowId, out Task? _);
            }
        }));

    public Task AllAsync() => Task.WhenAll(running.Values.ToArray());
}
