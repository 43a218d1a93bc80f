using SkyServe.Core.Spec;
using SkyServe.Providers.Docker;

namespace SkyServe.Providers.Tests.Docker;

/// <summary>The spec's machine keys on a container (pure: no daemon needed): labels as container labels, image_id as docker:IMAGE.</summary>
public sealed class DockerMachineSettingsTests
{
    private static readonly DockerProviderOptions Options = new() { Image = "skyserve-agent:latest" };

    private static LaunchRequest Request(MachineSettings machine) =>
        new("token-1", DockerTestHosts.Cpu("box-a", spot: false), new Dictionary<string, string> { [MachineTags.Service] = "chat" }) { Machine = machine };

    [Fact]
    public void Labels_go_on_the_container_as_they_are_beside_the_machine_tags()
    {
        var labels = DockerLabels.For("skyserve", Request(new MachineSettings { Labels = new Dictionary<string, string> { ["team"] = "inference" } }), 31000, DateTimeOffset.UnixEpoch);
        Assert.Equal("inference", labels["team"]);
        Assert.Equal("chat", labels[DockerLabels.TagPrefix + MachineTags.Service]);
        // Read back, the machine's tags are only its own.
        Assert.Equal(new Dictionary<string, string> { [MachineTags.Service] = "chat" }, DockerLabels.Tags(labels));
    }

    [Fact]
    public void A_label_posing_as_a_skyserve_label_is_refused()
    {
        var error = Assert.Throws<CloudProviderException>(() => DockerLabels.For("skyserve",
            Request(new MachineSettings { Labels = new Dictionary<string, string> { [DockerLabels.Deployment] = "other" } }), 31000, DateTimeOffset.UnixEpoch));
        Assert.Contains("reserved for SkyServe", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "skyserve-agent:latest")]
    [InlineData("docker:registry.example.com/serving/agent:2", "registry.example.com/serving/agent:2")]
    public void Image_id_in_skypilots_docker_form_is_the_container_image(string? imageId, string image)
    {
        Assert.Equal(image, DockerContainerSpecs.ImageFor(Request(new MachineSettings { ImageId = imageId }), Options));
    }

    [Theory]
    [InlineData("ami-0123456789abcdef0")]
    [InlineData("docker:")]
    public void Another_image_id_is_an_invalid_request(string imageId)
    {
        var error = Assert.Throws<CloudProviderException>(() => DockerContainerSpecs.ImageFor(Request(new MachineSettings { ImageId = imageId }), Options));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Contains("docker:IMAGE", error.Message, StringComparison.Ordinal);
    }
}
