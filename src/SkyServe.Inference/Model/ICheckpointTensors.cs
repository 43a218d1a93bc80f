namespace SkyServe.Inference.Model;

/// <summary>Named weight tensors as float32, whatever the files hold: safetensors shards or the packed layout.</summary>
public interface ICheckpointTensors
{
    bool Contains(string name);

    /// <summary>A tensor's elements as float32, after checking its shape so a config that disagrees with the weights fails clearly.</summary>
    float[] ReadFloat32(string name, params long[] expectedShape);

    /// <summary>A [rows, columns] matrix as the engine keeps it: bfloat16 stays bfloat16, anything else becomes float32.</summary>
    WeightMatrix ReadMatrix(string name, int rows, int columns);
}
