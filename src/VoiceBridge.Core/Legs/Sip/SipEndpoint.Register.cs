using System.Net;
using Microsoft.Extensions.Logging;

namespace VoiceBridge.Legs.Sip;

public sealed partial class SipEndpoint
{
    private readonly CancellationTokenSource _registrationStop = new();
    private SipRegistration? _registration;
    private Task? _registrationRun;

    /// <summary>The trunk registration's state; null when <see cref="SipOptions.Registration"/> is not set.</summary>
    public SipRegistrationStatus? Registration => _registration?.Status;

    private void StartRegistration()
    {
        if (_options.Registration is not { } options)
        {
            return;
        }

        _registration = new SipRegistration(options, HostPort(), SendOutOfDialogAsync, _time, _loggers.CreateLogger<SipRegistration>());
        _registrationRun = _registration.RunAsync(_registrationStop.Token);
    }

    /// <summary>Stops refreshing and removes the binding, while the socket is still open.</summary>
    private async Task StopRegistrationAsync()
    {
        if (_registration is null)
        {
            return;
        }

        // Cancel, not CancelAsync: the callbacks run here, on the caller's context, with no thread-pool hop.
        _registrationStop.Cancel();
        await _registrationRun!;
        await _registration.UnregisterAsync();
    }

    /// <summary>
    /// A request outside any dialog (REGISTER, with its own Via and branch) as a non-INVITE client
    /// transaction to <paramref name="destination"/>; its final response, a <see cref="TimeoutException"/>
    /// after timer F, or cancelled (the transaction abandoned). Awaited here rather than through
    /// WaitAsync so that the continuation stays on the caller's context (no thread-pool hop).
    /// </summary>
    private async Task<SipMessage> SendOutOfDialogAsync(SipMessage request, IPEndPoint destination, CancellationToken cancellationToken)
    {
        Task<SipMessage> final;
        lock (_gate)
        {
            final = SendRequest(request, destination);
        }

        var branch = request.TopVia.Branch!;
        using (cancellationToken.Register(() => Abandon(branch)))
        {
            try
            {
                return await final;
            }
            catch (TimeoutException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    private void Abandon(string branch)
    {
        lock (_gate)
        {
            if (_clientTransactions.Remove(branch, out var transaction))
            {
                transaction.TimeOut();
            }
        }
    }
}
