using System.Net;
using System.Net.Sockets;

namespace SkyServe.Providers.Docker;

/// <summary>
/// Picks a container's agent port: one of the range that no container of the host holds (by its port label, whatever
/// deployment it belongs to) and, on a host this machine can check (its address is a local one), that nothing else has
/// bound. The search starts at a random place in the range, so that two controllers launching on one host at once
/// rarely pick the same port.
/// </summary>
public static class DockerPorts
{
    public static int? Choose(DockerPortRange range, IReadOnlySet<int> taken, Func<int, bool> isFree, Random random)
    {
        var start = random.Next(range.Count);
        for (var i = 0; i < range.Count; i++)
        {
            var port = range.First + (start + i) % range.Count;
            if (!taken.Contains(port) && isFree(port))
                return port;
        }
        return null;
    }

    /// <summary>Whether <paramref name="port"/> can be bound at <paramref name="address"/> on this machine; true for an address that is not a loopback one (another host: nothing to check).</summary>
    public static bool IsFreeHere(string address, int port)
    {
        if (!IPAddress.TryParse(address, out var ip) || !IPAddress.IsLoopback(ip))
            return true;
        try
        {
            using var listener = new TcpListener(ip, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
