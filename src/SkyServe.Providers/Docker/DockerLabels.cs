using System.Globalization;

namespace SkyServe.Providers.Docker;

/// <summary>
/// The labels a replica container carries, so that it is found again by labels alone (a restarted controller, another
/// controller of the deployment): the deployment, the launch's client token, where and what it was launched as, its
/// agent port, and the launch's tags, each as <c>skyserve.tag.{key}</c>. The prefix keeps tags apart from the labels
/// the image brings (a container's labels include its image's). The spec's labels go on as they are.
/// </summary>
public static class DockerLabels
{
    public const string Deployment = "skyserve.deployment";
    public const string ClientToken = "skyserve.client-token";
    public const string Region = "skyserve.region";
    public const string Zone = "skyserve.zone";
    public const string InstanceType = "skyserve.instance-type";
    public const string Spot = "skyserve.spot";
    public const string Port = "skyserve.port";
    /// <summary>When the launch was made (round-trip format), to the tick: the daemon's own creation time has whole seconds in a list.</summary>
    public const string LaunchedAt = "skyserve.launched-at";
    public const string TagPrefix = "skyserve.tag.";

    public static Dictionary<string, string> For(string deployment, LaunchRequest request, int port, DateTimeOffset launchedAt)
    {
        var offering = request.Offering;
        var labels = new Dictionary<string, string>
        {
            [Deployment] = deployment,
            [ClientToken] = request.ClientToken,
            [Region] = offering.Region,
            [Zone] = offering.Zone,
            [InstanceType] = offering.InstanceType,
            [Spot] = offering.Spot ? "true" : "false",
            [Port] = port.ToString(CultureInfo.InvariantCulture),
            [LaunchedAt] = launchedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in request.Tags)
            labels[TagPrefix + key] = value;
        // The spec's labels as they are: LaunchLabels keeps them off the skyserve names above.
        foreach (var (key, value) in LaunchLabels.Of(request))
            labels[key] = value;
        return labels;
    }

    /// <summary>The launch's tags back from the labels.</summary>
    public static Dictionary<string, string> Tags(IReadOnlyDictionary<string, string> labels) =>
        labels.Where(l => l.Key.StartsWith(TagPrefix, StringComparison.Ordinal))
            .ToDictionary(l => l.Key[TagPrefix.Length..], l => l.Value);

    /// <summary>Docker's <c>label</c> filter terms (<c>key=value</c>) for containers carrying every one of the tags.</summary>
    public static IEnumerable<string> TagFilters(IReadOnlyDictionary<string, string> tags) =>
        tags.Select(t => $"{TagPrefix}{t.Key}={t.Value}");

    public static OfferingKey Offering(IReadOnlyDictionary<string, string> labels) => new(
        DockerCloud.Name, labels.GetValueOrDefault(Region, ""), labels.GetValueOrDefault(Zone, ""),
        labels.GetValueOrDefault(InstanceType, ""), labels.GetValueOrDefault(Spot) == "true");

    /// <summary>The launch time from the label; else the container's creation time.</summary>
    public static DateTimeOffset LaunchedAtOf(IReadOnlyDictionary<string, string> labels, DateTimeOffset created) =>
        DateTimeOffset.TryParseExact(labels.GetValueOrDefault(LaunchedAt), "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : created;

    public static int? PortOf(IReadOnlyDictionary<string, string> labels) =>
        int.TryParse(labels.GetValueOrDefault(Port), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
}
