namespace VoiceBridge.Engines;

/// <summary>The engines a call may use, in failover order; the call session walks it on each switch.</summary>
public interface IEngineChain
{
    int Count { get; }

    string NameAt(int index);

    IAgentEngine Create(int index);
}

/// <summary>A chain of one engine (no failover).</summary>
public sealed class SingleEngineChain(Func<IAgentEngine> create, string name = "engine") : IEngineChain
{
    public int Count => 1;

    public string NameAt(int index) => name;

    public IAgentEngine Create(int index) => create();
}
