using SkyServe.ReplicaAgent.Hosting;

// The replica agent: `dotnet SkyServe.ReplicaAgent.dll --port 8081 [...]` (flags in AgentCommandLine.Usage).
return await AgentProgram.RunAsync(args);
