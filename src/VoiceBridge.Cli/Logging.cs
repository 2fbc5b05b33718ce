using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace VoiceBridge.Cli;

/// <summary>Serilog to standard error, behind Microsoft.Extensions.Logging.</summary>
internal static class Logging
{
    public static Serilog.ILogger Create(LogEventLevel minimum) => new LoggerConfiguration()
        .MinimumLevel.Is(minimum)
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .Enrich.FromLogContext()
        .WriteTo.Console(
            outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext:l}: {Message:lj}{NewLine}{Exception}",
            standardErrorFromLevel: LogEventLevel.Verbose)
        .CreateLogger();

    public static ILoggerFactory Factory(Serilog.ILogger logger) => new SerilogLoggerFactory(logger, dispose: true);
}
