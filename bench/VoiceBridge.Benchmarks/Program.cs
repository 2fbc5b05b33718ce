using BenchmarkDotNet.Running;

namespace VoiceBridge.Benchmarks;

/// <summary>Entry point: BenchmarkDotNet's switcher, so <c>--filter</c> and <c>--job</c> pick what runs.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
