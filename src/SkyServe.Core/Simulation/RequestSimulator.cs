namespace SkyServe.Core.Simulation;

/// <summary>
/// The queueing model behind the latency figures (traces/README.md, "Latency"). The READY count of each tick is the
/// number of serving replicas during that tick; when it falls, the last replicas go (their queued requests fail), when
/// it rises, fresh ones join at the end. Each client sends its requests round-robin over the replicas serving at that
/// moment; a replica serves one request at a time, first come first served, with an exponential service time. A request
/// that finds no replica, has waited longer than the timeout when its turn comes, or is queued on a replica that goes
/// away fails and counts at the timeout. Deterministic for a given random stream.
/// </summary>
public static class RequestSimulator
{
    public static LatencySummary Run(IReadOnlyList<int> readyPerTick, int tickSeconds, WorkloadSettings workload, SimRandom random)
    {
        var horizon = (double)readyPerTick.Count * tickSeconds;
        var arrivals = Arrivals(workload, horizon, random);
        var replicas = new List<Replica>();
        var latencies = new List<double>(arrivals.Count);
        var failures = 0;
        var cursors = new int[Math.Max(1, workload.Clients)];
        var tick = -1;

        foreach (var (time, client) in arrivals)
        {
            var now = (int)Math.Min(readyPerTick.Count - 1, Math.Floor(time / tickSeconds));
            while (tick < now)
            {
                tick++;
                Resize(replicas, readyPerTick[tick], (double)tick * tickSeconds, latencies, ref failures, workload.TimeoutSeconds);
            }
            if (replicas.Count == 0)
            {
                latencies.Add(workload.TimeoutSeconds);
                failures++;
                continue;
            }
            var replica = replicas[cursors[client] % replicas.Count];
            cursors[client]++;
            replica.Enqueue(time, workload, random, latencies, ref failures);
        }
        while (tick < readyPerTick.Count - 1)
        {
            tick++;
            Resize(replicas, readyPerTick[tick], (double)tick * tickSeconds, latencies, ref failures, workload.TimeoutSeconds);
        }
        foreach (var replica in replicas)
            replica.Finish(latencies, ref failures, horizon);
        return LatencySummary.Of(latencies, failures);
    }

    private static void Resize(List<Replica> replicas, int count, double at, List<double> latencies, ref int failures, double timeout)
    {
        while (replicas.Count > count)
        {
            replicas[^1].Remove(at, latencies, ref failures, timeout);
            replicas.RemoveAt(replicas.Count - 1);
        }
        while (replicas.Count < count)
            replicas.Add(new Replica());
    }

    /// <summary>Poisson arrivals of every client merged in time order, or the replayed times (client 0).</summary>
    private static List<(double Time, int Client)> Arrivals(WorkloadSettings workload, double horizon, SimRandom random)
    {
        var arrivals = new List<(double Time, int Client)>();
        if (workload.ArrivalTimes is { } replay)
        {
            arrivals.AddRange(replay.Where(time => time >= 0 && time < horizon).Order().Select(time => (time, 0)));
            return arrivals;
        }
        var meanGap = workload.Clients / workload.RequestsPerSecond;
        for (var client = 0; client < workload.Clients; client++)
        {
            if (client == 1 && workload.DuplicateFirstClient)
            {
                arrivals.AddRange(arrivals.Where(arrival => arrival.Client == 0).Select(arrival => (arrival.Time, 1)).ToList());
                continue;
            }
            for (var time = random.Exponential(meanGap); time < horizon; time += random.Exponential(meanGap))
                arrivals.Add((time, client));
        }
        arrivals.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Client.CompareTo(b.Client));
        return arrivals;
    }

    /// <summary>
    /// One serving replica. A request's start time is known when it is queued (first come first served); it becomes
    /// final once the replica is still there at that start, so requests starting after a removal fail.
    /// </summary>
    private sealed class Replica
    {
        private readonly Queue<(double Start, double Latency, bool Failed)> pending = new();
        private double freeAt;

        public void Enqueue(double arrival, WorkloadSettings workload, SimRandom random, List<double> latencies, ref int failures)
        {
            Settle(arrival, latencies, ref failures);
            var start = Math.Max(arrival, freeAt);
            if (start - arrival > workload.TimeoutSeconds)
            {
                // Dropped when its turn comes; the replica moves straight on to the next request.
                pending.Enqueue((start, workload.TimeoutSeconds, true));
                return;
            }
            var finish = start + random.Exponential(workload.MeanServiceSeconds);
            freeAt = finish;
            pending.Enqueue((start, finish - arrival, false));
        }

        /// <summary>The replica leaves at <paramref name="at"/>: requests not started by then fail.</summary>
        public void Remove(double at, List<double> latencies, ref int failures, double timeout)
        {
            Settle(at, latencies, ref failures);
            while (pending.TryDequeue(out _))
            {
                latencies.Add(timeout);
                failures++;
            }
        }

        /// <summary>The run ends: requests started before the end count; later ones were never served.</summary>
        public void Finish(List<double> latencies, ref int failures, double horizon)
        {
            Settle(horizon, latencies, ref failures);
            pending.Clear();
        }

        private void Settle(double now, List<double> latencies, ref int failures)
        {
            while (pending.TryPeek(out var next) && next.Start < now)
            {
                pending.Dequeue();
                latencies.Add(next.Latency);
                if (next.Failed)
                    failures++;
            }
        }
    }
}
