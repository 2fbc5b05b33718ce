using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>Requests the caller sends in an established dialog besides re-INVITEs: BYE and INFO.</summary>
public sealed partial class SipEndpoint
{
    private void OnBye(SipServerTransaction transaction)
    {
        if (InDialog(transaction) is not { } call)
        {
            return;
        }

        Respond(transaction, 200, "OK");
        EndCall(call, "BYE from the caller");
    }

    /// <summary>SIP INFO in the dialog: <c>application/dtmf-relay</c> and <c>application/dtmf</c> digits (as some PBXs send them) reach the call; other INFO is acknowledged.</summary>
    private void OnInfo(SipServerTransaction transaction)
    {
        if (InDialog(transaction) is not { } call)
        {
            return;
        }

        if (DtmfRelay.TryParse(transaction.Request.Headers.Get("Content-Type"), Encoding.UTF8.GetString(transaction.Request.Body), out var digit))
        {
            call.Leg?.OnSignalledDigit(digit);
        }

        Respond(transaction, 200, "OK");
    }

    /// <summary>The request's dialog, or null when it has none (481) or its CSeq is out of order (500): answered here then.</summary>
    private SipCall? InDialog(SipServerTransaction transaction)
    {
        if (FindCall(transaction.Request) is not { } call)
        {
            Respond(transaction, 481, "Call/Transaction Does Not Exist");
            return null;
        }

        return InSequence(transaction, call) ? call : null;
    }
}
