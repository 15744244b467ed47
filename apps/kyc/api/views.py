"""KYC's sub-resources of a customer in the staff API: ``/customers/{id}/kyc/`` (the KYC summary) and
``/customers/{id}/documents/`` (list and upload), on the same customers as apps/customers/api/views.py."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from apps.customers import selectors
from apps.customers.api.views import StaffCustomerViewSet
from apps.kyc import selectors as kyc_selectors
from apps.kyc.api.serializers import KycDocumentSerializer, KycDocumentUploadSerializer, KycStatusSerializer
from apps.kyc.services import upload_kyc_document
from config.api.parsers import FormParser, JSONParser, MultiPartParser


class CustomerKycViewSet(StaffCustomerViewSet):
    # The description in the schema is StaffCustomerViewSet's docstring, as for the customer's other operations.
    actions_the_service_decides = ("documents",)  # uploading a document

    @extend_schema(responses=KycStatusSerializer)
    @action(detail=True, methods=["get"])
    def kyc(self, request, pk=None):
        customer = self.get_object()
        return Response(KycStatusSerializer(kyc_selectors.kyc_summary(customer)).data)

    @extend_schema(request={"multipart/form-data": KycDocumentUploadSerializer},
                   responses={200: KycDocumentSerializer(many=True), 201: KycDocumentSerializer})
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser, JSONParser],
            pagination_class=None)  # a customer's few documents: a bare list
    def documents(self, request, pk=None):
        if request.method == "GET":
            customer = self.get_object()
            return Response(KycDocumentSerializer(kyc_selectors.documents_of(customer), many=True).data)
        customer = get_object_or_404(selectors.customers_for(request.user, "view"), pk=pk)
        # who may add a document for this customer is upload_kyc_document's rule (a 403 problem otherwise)
        upload = KycDocumentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        document = upload_kyc_document(customer=customer, actor=request.user, **upload.validated_data)
        return Response(KycDocumentSerializer(document).data, status=status.HTTP_201_CREATED)
