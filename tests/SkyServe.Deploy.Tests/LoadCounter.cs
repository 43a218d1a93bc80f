using System.Net;

namespace SkyServe.Deploy.Tests;

/// <summary>Clients that loop requests through a load balancer and count what came back.</summary>
internal sealed class LoadCounter
{
    private int succeeded;
    private int failed;

    public int Succeeded => Volatile.Read(ref succeeded);
    public int Failed => Volatile.Read(ref failed);
    public string? FirstFailure { get; private set; }

    public async Task LoopAsync(HttpClient lb, string path, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await lb.GetAsync(path, stop);
                if (response.StatusCode == HttpStatusCode.OK)
                    Interlocked.Increment(ref succeeded);
                else
                    Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Fail(e.Message);
            }
            await Task.Delay(5, CancellationToken.None); // a steady pace, not a flood: the CI machine is shared
        }
    }

    private void Fail(string why)
    {
        FirstFailure ??= why;
        Interlocked.Increment(ref failed);
    }
}
