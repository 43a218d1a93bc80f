using SkyServe.LoadBalancer.Routing;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>The load balancer's table under the controller's answers: a full one replaces it, a delta merges into it.</summary>
public sealed class RouteTableTests
{
    private static ServiceRoute Route(string name, params string[] replicaUrls) =>
        new(name, "round_robin", replicaUrls.Select((url, i) => new Replica($"{i + 1}", url, 1, 1)).ToList(), ScaleToZero: false);

    [Fact]
    public void A_delta_replaces_its_services_removes_the_removed_and_leaves_the_rest_untouched()
    {
        var table = new RouteTable();
        table.Replace([Route("a", "http://a1"), Route("b", "http://b1"), Route("c", "http://c1")]);
        var (a, b) = (table.Find("a")!, table.Find("b")!);
        var changed = table.NextChangeAsync();

        table.Apply([Route("b", "http://b1", "http://b2"), Route("d", "http://d1")], ["c", "never-there"]);

        Assert.True(changed.IsCompleted);
        Assert.Equal(["a", "b", "d"], table.Routes.Keys.Order());
        Assert.Same(a, table.Find("a"));
        Assert.Equal(["http://b1", "http://b2"], table.Find("b")!.Replicas.Select(r => r.Url));
        Assert.Same(b.Replicas[0], table.Find("b")!.Replicas[0]); // the same replica keeps its in-flight count
    }

    [Fact]
    public void A_full_answer_drops_what_it_does_not_name()
    {
        var table = new RouteTable();
        table.Replace([Route("a", "http://a1"), Route("b", "http://b1")]);
        var a = table.Find("a")!;
        table.Replace([Route("a", "http://a1")]);
        Assert.Equal(["a"], table.Routes.Keys);
        Assert.Same(a.Replicas[0], table.Find("a")!.Replicas[0]);
    }
}
