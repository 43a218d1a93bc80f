using SkyServe.Core.Catalog;

namespace SkyServe.Core.Tests.Catalog;

/// <summary>A hand-made catalog whose prices make the expected orderings obvious.</summary>
internal static class SmallCatalog
{
    public const string Aws = """
        cloud: aws
        instance_types:
          - name: g6.xlarge
            accelerator: L4
            accelerator_count: 1
            gpu_memory_gib: 24
            vcpus: 4
            memory_gib: 16
            regions:
              - name: us-east-1
                zones: [use1-az1, use1-az2]
                on_demand: 0.80
                spot: 0.40
                spot_zones: [use1-az2]
              - name: us-west-2
                zones: [usw2-az1]
                on_demand: 0.80
                spot: 0.30
          - name: g6.12xlarge
            accelerator: L4
            accelerator_count: 4
            gpu_memory_gib: 24
            vcpus: 48
            memory_gib: 192
            regions:
              - name: us-east-1
                zones: [use1-az1]
                on_demand: 4.60
                spot: 1.90
          - name: g5.xlarge
            accelerator: A10G
            accelerator_count: 1
            gpu_memory_gib: 24
            vcpus: 4
            memory_gib: 16
            regions:
              - name: us-east-1
                zones: [use1-az1, use1-az2]
                on_demand: 1.00
                spot: 0.35
          - name: m7i-flex.2xlarge
            vcpus: 8
            memory_gib: 32
            regions:
              - name: us-east-1
                zones: [use1-az1]
                on_demand: 0.38
                spot: 0.20
        """;

    public const string Gcp = """
        cloud: gcp
        instance_types:
          - name: g2-standard-4
            accelerator: L4
            accelerator_count: 1
            gpu_memory_gib: 24
            vcpus: 4
            memory_gib: 16
            regions:
              - name: us-central1
                zones: [us-central1-a, us-central1-b]
                on_demand: 0.70
                spot: 0.28
          - name: n1-standard-4
            accelerator: T4
            accelerator_count: 1
            gpu_memory_gib: 16
            attached: true
            vcpus: 4
            memory_gib: 15
            regions:
              - name: us-central1
                zones: [us-central1-a]
                on_demand: 0.54
          - name: a2-highgpu-8g
            accelerator: A100
            accelerator_count: 8
            gpu_memory_gib: 40
            vcpus: 96
            memory_gib: 680
            regions:
              - name: us-central1
                zones: [us-central1-a]
                on_demand: 29.39
                spot: 11.5
        """;

    public const string Local = """
        simulated_clouds:
          - cloud: aws
            regions:
              - name: us-east-1
                zones: [us-east-1a, us-east-1b]
            instance_types:
              - name: local-l4
                stands_for: aws/g6.xlarge
        """;

    public static CatalogSet Load() =>
        CatalogLoader.Parse([new CatalogFile("aws.yaml", Aws), new CatalogFile("gcp.yaml", Gcp), new CatalogFile("local.yaml", Local)]);
}
